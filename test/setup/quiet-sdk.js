// The AWS SDK's Node-version notice (printed once per test worker and child process otherwise), off
// through the SDK's documented switch, as the CLI does (src/cli/index.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
