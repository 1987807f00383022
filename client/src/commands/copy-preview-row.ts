/** The "Copy" link of a preview row: puts the row (as JSON) on the clipboard. Not in the palette. */
import * as vscode from 'vscode';
import { COPY_ROW_COMMAND } from '../webviews/preview-rows';

export function registerCopyPreviewRow(): vscode.Disposable {
  return vscode.commands.registerCommand(COPY_ROW_COMMAND, async (text: unknown) => {
    if (typeof text !== 'string') return;
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage('Braze Sync: row copied as JSON', 3000);
  });
}
