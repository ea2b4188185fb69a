/** A server process of the idle-agents benchmark: the bare grpc-js server holding idle streams. */
import { startHoldServer } from '../floors/startHoldServer.js';
import { answerMeasurements } from './answerMeasurements.js';

const server = await startHoldServer();
answerMeasurements(server.address, () => server.streamCount());
