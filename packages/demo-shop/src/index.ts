export { startDemoShop } from './shop-server';
export type { DemoShop, DemoShopOptions } from './shop-server';
export { catalog } from './catalog';
