/**
 * Custom LSP messages between the Braze Sync client and language server, typed once here so both
 * sides agree. Depends on `vscode-languageserver-protocol` only (no `vscode`, no server or client).
 */
import { NotificationType } from 'vscode-languageserver-protocol';

export interface StateChangedParams {
  /**
   * The definition file (document URI) whose recorded sync state changed, e.g. after Sync Now.
   * Absent when unknown: the server then re-reads the state of every open document.
   */
  uri?: string;
}

/**
 * Client → server: recorded sync state may have changed, so rules that depend on it (data type
 * immutability) must be re-checked. The server also watches state directories itself; this covers
 * writes it cannot see, such as a state directory outside the watched folders.
 */
export const StateChangedNotification = new NotificationType<StateChangedParams>('brazeSync/stateChanged');
