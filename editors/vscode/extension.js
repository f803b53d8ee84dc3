// The client: starts `vilkar lsp` (from the configured command) and hands .vk files to it.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration("vilkar");
  const args = ["lsp"];
  const policies = settings.get("policies");
  if (policies) {
    args.push("--policies", policies);
  }
  const server = { command: settings.get("command") || "vilkar", args, transport: TransportKind.stdio };
  client = new LanguageClient("vilkar", "vilkar", { run: server, debug: server }, {
    documentSelector: [{ scheme: "file", language: "vilkar" }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{vk,request.yaml}") },
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
