export {
  type GoawayFloor,
  type GoawayFloorOptions,
  type GoawayTimes,
  measureBareGoawayFloor,
} from './measureBareGoawayFloor.js';
export {
  measureBareWithdrawFloor,
  type WithdrawFloor,
  type WithdrawFloorOptions,
} from './measureBareWithdrawFloor.js';
