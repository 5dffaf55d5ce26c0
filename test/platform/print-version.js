// Preloaded (NODE_OPTIONS=--require) into a process the Node-version test starts: says which Node runs it.
process.stdout.write(`node ${process.version}\n`);
