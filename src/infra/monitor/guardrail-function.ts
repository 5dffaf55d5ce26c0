/**
 * One Lambda function of the monitor with its own role and log group. The role holds exactly the
 * statements built from the code's PermissionDeclarations plus what the infrastructure itself
 * implies (writing its own logs, its dead-letter queue, the topic's KMS key when it publishes).
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { AssetType, Fn, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { type LambdaBundle, HANDLER } from "../bundle/lambda-bundle";
import { type PolicyStatement, policyJson, serviceTrustPolicy } from "../iam/policy-document";
import { functionLogGroupName, ROLE_PATH } from "../naming";

const LAMBDA_RUNTIME = "nodejs22.x";
const LAMBDA_ARCHITECTURE = "arm64";

export interface GuardrailFunctionProps {
  functionName: string;
  roleName: string;
  description: string;
  bundle: LambdaBundle;
  environment: Record<string, string>;
  /** Statements from the code's declarations (statementsFromDeclarations). */
  codeStatements: PolicyStatement[];
  /** Statements the infrastructure implies (e.g. kms on the topic key); added after the code's. */
  extraStatements?: PolicyStatement[];
  accountId: string;
  logRetentionDays: number;
  deadLetterQueueArn: string;
  timeoutSeconds?: number;
  memoryMb?: number;
}

export class GuardrailFunction extends Construct {
  readonly role: IamRole;
  readonly fn: LambdaFunction;
  readonly logGroup: CloudwatchLogGroup;
  readonly asset: TerraformAsset;

  constructor(scope: Construct, id: string, props: GuardrailFunctionProps) {
    super(scope, id);
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: functionLogGroupName(props.functionName),
      retentionInDays: props.logRetentionDays,
    });
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      path: ROLE_PATH,
      description: `Execution role of ${props.functionName}`,
      assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com", props.accountId),
    });
    const infraStatements: PolicyStatement[] = [
      {
        Sid: "OwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`${this.logGroup.arn}:*`],
      },
      { Sid: "DeadLetterQueue", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [props.deadLetterQueueArn] },
      ...(props.extraStatements ?? []),
    ];
    new IamRolePolicy(this, "policy", {
      name: "bedrock-guardrail-permissions",
      role: this.role.id,
      policy: policyJson([...props.codeStatements, ...infraStatements]),
    });

    // A FILE asset of our own deterministic zip: cdktf's ARCHIVE type stores file times, so two
    // synths would differ. source_code_hash is what Lambda compares: base64 SHA-256 of the zip.
    this.asset = new TerraformAsset(this, "code", { path: props.bundle.zipFile, type: AssetType.FILE });
    this.fn = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: [LAMBDA_ARCHITECTURE],
      handler: HANDLER,
      filename: this.asset.path,
      sourceCodeHash: Fn.filebase64sha256(this.asset.path),
      timeout: props.timeoutSeconds ?? 900,
      memorySize: props.memoryMb ?? 512,
      environment: { variables: props.environment },
      deadLetterConfig: { targetArn: props.deadLetterQueueArn },
      loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
      dependsOn: [this.logGroup],
    });
  }
}
