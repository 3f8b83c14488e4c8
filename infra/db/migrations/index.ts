/** Every committed migration, in order. Listed explicitly so ts (tsx, jest) and compiled js load the same set. */
import { Migration20261126145410 } from './Migration20261126145410';
import { Migration20261126200000 } from './Migration20261126200000';
import { Migration20261127090000 } from './Migration20261127090000';
import { Migration20261127100000 } from './Migration20261127100000';
import { Migration20261128093000 } from './Migration20261128093000';

export const migrationsList = [
  { name: 'Migration20261126145410', class: Migration20261126145410 },
  { name: 'Migration20261126200000', class: Migration20261126200000 },
  { name: 'Migration20261127090000', class: Migration20261127090000 },
  { name: 'Migration20261127100000', class: Migration20261127100000 },
  { name: 'Migration20261128093000', class: Migration20261128093000 },
];
