/** One line of a connection test's checklist, as Test Connection (VS Code and CLI) shows it. */
import type { FailureKind } from '../adapters/connection-diagnosis';

/** `skipped`: not checked (the message says why); never shown with a check mark. */
export type CheckStatus = 'ok' | 'warning' | 'failed' | 'skipped';

export interface ConnectionCheck {
  /** `preview`: the SQL row checks over every pending row; `contents`: the engine's checks of the previewed rows. */
  name: 'connect' | 'table' | 'columns' | 'privileges' | 'preview' | 'contents';
  status: CheckStatus;
  message: string;
  fix?: string;
  kind?: FailureKind;
}
