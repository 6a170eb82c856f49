export { startBankSimulator } from './bank-simulator';
export type { BankBehaviour, BankSimulator, BankSimulatorOptions } from './bank-simulator';
export type { Authorization, Card, DeclineReason } from './bank';
export { demoCards } from './demo-cards';
