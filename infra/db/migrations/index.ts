/** Every committed migration, in order. Listed explicitly so ts (tsx, jest) and compiled js load the same set. */
import { Migration20261126145410 } from './Migration20261126145410';

export const migrationsList = [{ name: 'Migration20261126145410', class: Migration20261126145410 }];
