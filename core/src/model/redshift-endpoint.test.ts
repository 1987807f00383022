import assert from 'node:assert/strict';
import { test } from 'node:test';
import { iamTarget, parseRedshiftHost } from './redshift-endpoint';

test('cluster and workgroup endpoints name the cluster or workgroup and the region', () => {
  assert.deepEqual(parseRedshiftHost('Example.abc123xyz.us-east-1.redshift.amazonaws.com'), { kind: 'cluster', clusterIdentifier: 'example', region: 'us-east-1' });
  assert.deepEqual(parseRedshiftHost('prod-dw.c9akciq32.us-gov-west-1.redshift.amazonaws.com'), { kind: 'cluster', clusterIdentifier: 'prod-dw', region: 'us-gov-west-1' });
  assert.deepEqual(parseRedshiftHost('dw.abc.cn-north-1.redshift.amazonaws.com.cn'), { kind: 'cluster', clusterIdentifier: 'dw', region: 'cn-north-1' });
  assert.deepEqual(parseRedshiftHost('default-wg.123456789012.eu-west-1.redshift-serverless.amazonaws.com'), { kind: 'serverless', workgroup: 'default-wg', region: 'eu-west-1' });
  for (const other of ['localhost', '10.0.0.5', 'warehouse.internal.example.com', 'example.us-east-1.redshift.amazonaws.com', 'redshift.amazonaws.com.evil.example']) {
    assert.equal(parseRedshiftHost(other), undefined, other);
  }
});

test('explicit fields win over the host, and what cannot be known is named', () => {
  assert.deepEqual(iamTarget({ host: 'example.abc.us-east-1.redshift.amazonaws.com' }), { ok: true, target: { kind: 'cluster', clusterIdentifier: 'example', region: 'us-east-1' } });
  assert.deepEqual(iamTarget({ host: 'example.abc.us-east-1.redshift.amazonaws.com', cluster_identifier: 'other', region: 'eu-west-1' }), { ok: true, target: { kind: 'cluster', clusterIdentifier: 'other', region: 'eu-west-1' } });
  assert.deepEqual(iamTarget({ host: 'tunnel.local', workgroup: 'wg', region: 'eu-west-1' }), { ok: true, target: { kind: 'serverless', workgroup: 'wg', region: 'eu-west-1' } });
  const noRegion = iamTarget({ host: 'tunnel.local', cluster_identifier: 'example' });
  assert.equal(!noRegion.ok && noRegion.field, 'region');
  assert.match(!noRegion.ok ? noRegion.message : '', /add `region:`/);
  const unknown = iamTarget({ host: 'tunnel.local' });
  assert.equal(unknown.ok, false);
  assert.equal(!unknown.ok && unknown.field, 'host');
  const both = iamTarget({ host: 'tunnel.local', cluster_identifier: 'a', workgroup: 'b', region: 'us-east-1' });
  assert.equal(!both.ok && both.field, 'workgroup');
});

