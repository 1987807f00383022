/**
 * Braze instances, their REST hosts and the IP addresses Braze connects to warehouses from
 * (braze-cdi.md §7.1 and §8). Used by validation, hovers and connection-failure hints.
 */
export interface BrazeInstance {
  id: string;
  restHost: string;
  ips: readonly string[];
}

const US_IPS = ['23.21.118.191', '34.206.23.173', '50.16.249.9', '52.4.160.214', '54.87.8.34', '54.156.35.251', '52.54.89.238', '18.205.178.15'];
const US_08_IPS = [
  '52.151.246.51', '52.170.163.182', '40.76.166.157', '40.76.166.170', '40.76.166.167', '40.76.166.161',
  '40.76.166.156', '40.76.166.166', '40.76.166.160', '40.88.51.74', '52.154.67.17', '40.76.166.80',
  '40.76.166.84', '40.76.166.85', '40.76.166.81', '40.76.166.71', '40.76.166.144', '40.76.166.145',
];
const US_10_IPS = ['100.25.232.164', '35.168.86.179', '52.7.44.117', '3.92.153.18', '35.172.3.129', '50.19.162.19'];
const EU_IPS = ['52.58.142.242', '52.29.193.121', '35.158.29.228', '18.157.135.97', '3.123.166.46', '3.64.27.36', '3.65.88.25', '3.68.144.188', '3.70.107.88'];
const AU_IPS = ['13.210.1.145', '13.211.70.159', '13.238.45.54', '52.65.73.167', '54.153.242.239', '54.206.45.213'];
const ID_IPS = ['108.136.157.246', '108.137.30.207', '16.78.128.71', '16.78.14.134', '16.78.162.208', '43.218.73.35'];
const JP_IPS = ['13.159.155.212', '54.199.221.241', '13.192.23.16', '54.250.120.139', '18.181.114.232', '3.114.38.100'];
const KR_IPS = ['43.200.215.4', '52.79.67.175', '52.79.113.60', '3.34.212.92', '54.116.134.231', '3.37.197.225'];

function usIad(n: number, ips: readonly string[]): BrazeInstance {
  return { id: `US-0${n}`, restHost: `rest.iad-0${n}.braze.com`, ips };
}

export const BRAZE_INSTANCES: readonly BrazeInstance[] = [
  usIad(1, US_IPS), usIad(2, US_IPS), usIad(3, US_IPS), usIad(4, US_IPS), usIad(5, US_IPS), usIad(6, US_IPS), usIad(7, US_IPS),
  usIad(8, US_08_IPS),
  { id: 'US-10', restHost: 'rest.us-10.braze.com', ips: US_10_IPS },
  { id: 'EU-01', restHost: 'rest.fra-01.braze.eu', ips: EU_IPS },
  { id: 'EU-02', restHost: 'rest.fra-02.braze.eu', ips: EU_IPS },
  { id: 'AU-01', restHost: 'rest.au-01.braze.com', ips: AU_IPS },
  { id: 'ID-01', restHost: 'rest.id-01.braze.com', ips: ID_IPS },
  { id: 'JP-01', restHost: 'rest.jp-01.braze.com', ips: JP_IPS },
  { id: 'KR-01', restHost: 'rest.kr-01.braze.com', ips: KR_IPS },
];

export function findBrazeInstance(id: string): BrazeInstance | undefined {
  return BRAZE_INSTANCES.find((i) => i.id === id.toUpperCase());
}

/** The REST base URL for a file's `braze` block: the explicit endpoint wins over the instance. */
export function brazeRestUrl(braze: { instance?: string; endpoint?: string }): string | undefined {
  if (braze.endpoint) return braze.endpoint.replace(/\/+$/, '');
  const inst = braze.instance ? findBrazeInstance(braze.instance) : undefined;
  return inst ? `https://${inst.restHost}` : undefined;
}
