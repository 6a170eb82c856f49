export { startInformationServer } from './main';
export type { InformationServerHandle } from './main';
export { createApp } from './app';
export type { AppDeps } from './app';
export { informationServerEnv, loadInformationServerConfig } from './config';
export type { InformationServerConfig } from './config';
export { TokenReplayGuard } from './auth/token-replay';
export { MerchantAuthenticator } from './auth/merchant-auth';
export { MerchantKeyCache } from './auth/merchant-key-cache';
