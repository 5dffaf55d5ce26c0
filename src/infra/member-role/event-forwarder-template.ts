/**
 * CloudFormation template for the optional real-time path in member accounts: a rule on each
 * account's default bus (one stack instance per configured region) per compiled pattern (AWS limits
 * a pattern's size, see buildEventPatterns), forwarding to the monitor account's central bus. Pure:
 * inputs in, JSON out.
 */
import { EVENT_RULE_STATE, type EventPattern } from "../../detection/backends/eventbridge-pattern";
import { numberedName, RESOURCE_PREFIX, ROLE_NAMES, ROLE_PATH } from "../naming";

export interface EventForwarderTemplateProps {
  /** The rules' patterns, one forwarding rule each. */
  patterns: EventPattern[];
  /** arn:<partition>:events:<monitor region>:<monitor account>:event-bus/<central bus> (may be a Terraform token). */
  centralBusArnParameter?: string;
}

export const FORWARDER_PARAMETERS = { centralBusArn: "CentralBusArn" } as const;

function eventForwarderTemplate(props: EventForwarderTemplateProps): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "bedrock-guardrail: forward Bedrock model-access calls to the monitor account's central bus",
    Parameters: {
      [FORWARDER_PARAMETERS.centralBusArn]: {
        Type: "String",
        AllowedPattern: "^arn:[a-z-]+:events:[a-z0-9-]+:\\d{12}:event-bus/[\\w.-]+$",
      },
    },
    Resources: {
      ForwarderRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          // IAM is global and this stack runs once per region: the region keeps the names apart.
          RoleName: { "Fn::Join": ["-", [ROLE_NAMES.forwarder, { Ref: "AWS::Region" }]] },
          Path: ROLE_PATH,
          AssumeRolePolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: "put-events-central-bus",
              PolicyDocument: {
                Version: "2012-10-17",
                Statement: [
                  {
                    Sid: "CentralBus",
                    Effect: "Allow",
                    Action: ["events:PutEvents"],
                    Resource: [{ Ref: FORWARDER_PARAMETERS.centralBusArn }],
                  },
                ],
              },
            },
          ],
        },
      },
      // Logical ids are alphanumeric: ForwardRule, ForwardRule2...
      ...Object.fromEntries(props.patterns.map((p, i) => [`ForwardRule${i === 0 ? "" : i + 1}`, forwardRule(p, i)])),
    },
  };
}

/** The rule forwarding what `pattern` matches; the `index`th of the template's rules. */
function forwardRule(pattern: EventPattern, index: number): Record<string, unknown> {
  return {
    Type: "AWS::Events::Rule",
    Properties: {
      Name: numberedName(`${RESOURCE_PREFIX}-forward-org`, index),
      Description: "Forward Bedrock model-access calls to the bedrock-guardrail central bus",
      EventPattern: pattern,
      State: EVENT_RULE_STATE,
      Targets: [
        {
          Id: "central-bus",
          Arn: { Ref: FORWARDER_PARAMETERS.centralBusArn },
          RoleArn: { "Fn::GetAtt": ["ForwarderRole", "Arn"] },
        },
      ],
    },
  };
}

export function eventForwarderTemplateBody(props: EventForwarderTemplateProps): string {
  const body = JSON.stringify(eventForwarderTemplate(props));
  if (/[$%]\{/.test(body))
    throw new Error("event forwarder template contains ${ or %{, which Terraform would interpolate");
  return body;
}
