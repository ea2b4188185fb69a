export {
  type GoawayFloor,
  type GoawayFloorOptions,
  type GoawayTimes,
  measureBareGoawayFloor,
} from './measureBareGoawayFloor.js';
export {
  measureBareReconnectFloor,
  type ReconnectFloor,
  type ReconnectFloorOptions,
  type ReconnectTimes,
} from './measureBareReconnectFloor.js';
export {
  measureBareWithdrawFloor,
  type WithdrawFloor,
  type WithdrawFloorOptions,
} from './measureBareWithdrawFloor.js';
