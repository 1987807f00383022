/** The commented starter file written by "New Sync Definition"; it validates without errors as written. */

/** A sync name from what the user typed: lower case, `_` between words (`User Attributes` → `user_attributes`). */
export function syncNameFrom(input: string): string {
  return input
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

export function definitionTemplate(syncName: string): string {
  return `# Braze Cloud Data Ingestion syncs from Amazon Redshift, as code.
# Hover any key for its documentation; Ctrl+Space completes keys and values.
version: 1

braze:
  instance: US-03                    # your dashboard's instance (US-01 … US-10, EU-01, EU-02, AU-01, ID-01, JP-01, KR-01)
  api_key: \${env:BRAZE_API_KEY}       # a REST API key with users.track (and users.delete for deletes)
  timezone: UTC                      # IANA time zone the schedules use

connections:
  warehouse:
    type: redshift
    host: example.abc123.us-east-1.redshift.amazonaws.com
    port: 5439
    database: BRAZE_CLOUD_PRODUCTION
    user: braze_user
    password: \${env:REDSHIFT_PASSWORD} # secrets only as \${env:NAME}; VS Code asks once if it is not set
    ssl: require

syncs:
  ${syncName}:
    connection: warehouse
    # Needs UPDATED_AT, PAYLOAD (JSON) and an identifier column (EXTERNAL_ID, ALIAS_NAME + ALIAS_LABEL,
    # BRAZE_ID, EMAIL or PHONE). Run "Test Connection" to check the table and preview its rows.
    table: INGESTION.USERS_ATTRIBUTES_SYNC
    data_type: custom_attributes     # custom_attributes | custom_events | purchases | user_deletes | catalog_items (+ catalog: NAME); fixed after the first run
    schedule: every 1 hour           # every N minutes|hours|days, daily at HH:MM, weekly on <day> at HH:MM, monthly on day <1-28|last> at HH:MM, manual
    contacts: [data-eng@example.com] # told when a run fails
    status: draft                    # becomes active after a successful Test Connection
`;
}
