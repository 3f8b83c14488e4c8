/** Every committed migration, in order. Listed explicitly so ts (tsx, jest) and compiled js load the same set. */
import { Migration20261126145145 } from './Migration20261126145145';

export const migrationsList = [{ name: 'Migration20261126145145', class: Migration20261126145145 }];
