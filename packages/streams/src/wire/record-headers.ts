/** Header names of the stream log's records, under Tributary's reserved `tributary-` prefix. */
export const StreamHeaders = {
  action: 'tributary-stream-action',
  epoch: 'tributary-stream-epoch',
  codec: 'tributary-codec',
} as const;

/** What a log record does to its stream. */
export type LogAction = 'header' | 'put' | 'close';

export function actionOf(headers: Readonly<Record<string, Buffer>>): LogAction | undefined {
  const action = headers[StreamHeaders.action]?.toString('utf8');
  return action === 'header' || action === 'put' || action === 'close' ? action : undefined;
}
