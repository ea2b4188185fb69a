import { type AccessReview, answerAccessReview } from '../authorization/accessReviews.js';
import type { ApiRequest } from './ApiContext.js';
import { readObjectBody } from './readJsonBody.js';
import { sendJson, sendStatus, unsupportedMediaType } from './sendJson.js';

/**
 * `POST /apis/<authorization|authentication>.k8s.io/v1/<reviews>`: answers the review (JSON or the protobuf kubectl sends)
 * with its status and 201, as the real server does. Nothing is stored, so a `dryRun` changes nothing.
 */
export async function serveAccessReview(
  { request, response, user }: ApiRequest,
  review: AccessReview,
): Promise<void> {
  const read = await readObjectBody(request);
  if (read === undefined) {
    sendStatus(response, unsupportedMediaType('application/json, application/vnd.kubernetes.protobuf'));
    return;
  }
  sendJson(response, 201, answerAccessReview(review, read.object, user));
}
