import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contractViewDdl } from './contract-view';

const table = { schema: 'analytics', table: 'customers' } as Parameters<typeof contractViewDdl>[0];

test('a table missing the contract columns gets a view that renames, casts and adds them', () => {
  const ddl = contractViewDdl(
    table,
    [
      { name: 'customer_id', type: 'integer' },
      { name: 'modified', type: 'timestamp without time zone' },
      { name: 'plan', type: 'character varying' },
      { name: 'visits', type: 'integer' },
    ],
    'custom_attributes',
    'braze_user',
  );
  assert.equal(
    ddl,
    [
      'CREATE VIEW "analytics"."customers_braze_sync" AS',
      'SELECT CAST("modified" AS TIMESTAMPTZ) /* guessed: the time each row last changed, in UTC */ AS updated_at,',
      `       CAST("customer_id" AS VARCHAR) /* guessed: the user's external id */ AS external_id,`,
      `       JSON_SERIALIZE(OBJECT('plan', "plan", 'visits', "visits")) AS payload`,
      'FROM "analytics"."customers";',
      'GRANT SELECT ON "analytics"."customers_braze_sync" TO "braze_user";',
    ].join('\n'),
  );
});

test('user deletes: the view leaves PAYLOAD out', () => {
  const ddl = contractViewDdl(table, [{ name: 'updated_at', type: 'timestamp with time zone' }, { name: 'external_id', type: 'character varying' }, { name: 'payload', type: 'character varying' }], 'user_deletes', 'u');
  assert.doesNotMatch(ddl, /payload/i);
  assert.match(ddl, /SELECT "updated_at" AS updated_at,\n       "external_id" AS external_id\nFROM/);
});
