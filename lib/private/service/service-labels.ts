import type { ImageReference } from '../../image';
import { IInferenceService, LABEL_MODEL, LABEL_MODEL_VERSION, LABEL_SERVER } from '../../inference-service-ref';
import { toLabelValue } from '../../names';
import { MANAGED_BY_LABELS } from '../labels';

/**
 * The labels of every object of a service and its pods: the given ones (`extra`), the selector,
 * then the image version, the manager, the server and the model. Model and version reach metrics
 * (ServiceMonitor podTargetLabels) and logs (log shipper).
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export function serviceLabels(service: Pick<IInferenceService, 'selectorLabels' | 'server' | 'modelVolume'>, image: ImageReference,
  extra?: { [key: string]: string }): { [key: string]: string } {
  const { server, modelVolume } = service;
  const pinned = image.tag ?? image.digest ?? 'pinned';
  return {
    ...extra,
    ...service.selectorLabels,
    'app.kubernetes.io/version': toLabelValue(pinned),
    ...MANAGED_BY_LABELS,
    [LABEL_SERVER]: server.kind,
    [LABEL_MODEL]: toLabelValue(modelVolume?.name ?? server.model ?? server.kind),
    [LABEL_MODEL_VERSION]: toLabelValue(modelVolume?.version ?? pinned),
  };
}
