export { parseEnv } from './parse-env';
export { envBool, envBrokerUsers, envInt, envKeyRing, envUrl } from './env-types';
export type { KeyEntry } from './env-types';
export { busEnv, databaseEnv, logEnv, opsEnv, redisEnv } from './common-env';
export { splitBrokerUrls } from './broker-urls';
