/**
 * The city's departments, as data (data/city/departments.json): code, bilingual name, and the parent a passed step
 * limit escalates to (行政许可法 art. 60: the government above supervises). The catalogue loads the city file (or another
 * one, infra/services/catalog.ts) and refuses a service naming a department the file does not list.
 *
 * `departmentName` answers for every department a catalogue of this process has loaded, and for the committed city
 * file's departments in the browser (the web pages import this module; the JSON is bundled). Not for the workflow
 * sandbox: workflows see departments as codes only (domain/types.ts).
 */
import cityFile from '../data/city/departments.json';
import type { Bilingual, Department } from './types';

export interface DepartmentInfo {
  code: Department;
  name: Bilingual;
  /** Where a passed step limit goes after the department's head: absent for the top of the city (the government office). */
  parent?: Department;
}

/** The departments of one city: a read-only list, looked up by code. */
export class DepartmentDirectory {
  private readonly byCode: Map<Department, DepartmentInfo>;
  constructor(departments: readonly DepartmentInfo[]) {
    this.byCode = new Map(departments.map((d) => [d.code, d]));
  }
  list(): DepartmentInfo[] {
    return [...this.byCode.values()];
  }
  codes(): Department[] {
    return [...this.byCode.keys()];
  }
  has(code: string): boolean {
    return this.byCode.has(code);
  }
  get(code: string): DepartmentInfo | undefined {
    return this.byCode.get(code);
  }
  /** The department's name; its code in both languages for a code this directory does not know (never throws). */
  name(code: string): Bilingual {
    return this.byCode.get(code)?.name ?? { zh: code, en: code };
  }
  /** Every department's name by code. */
  names(): Record<Department, Bilingual> {
    return Object.fromEntries(this.list().map((d) => [d.code, d.name]));
  }
  /** The chain a passed limit climbs from a department: its parent, the parent's parent, ... (empty at the top). */
  escalationChain(code: string): Department[] {
    const chain: Department[] = [];
    for (let p = this.byCode.get(code)?.parent; p !== undefined && !chain.includes(p); p = this.byCode.get(p)?.parent) chain.push(p);
    return chain;
  }
}

/** The committed city's departments (data/city/departments.json), as bundled with the code. */
export const CITY_DEPARTMENTS = new DepartmentDirectory(cityFile.departments as DepartmentInfo[]);

// Every department a catalogue of this process loaded (a city file in another folder can add some): names for the
// views that have no catalogue at hand (tracking, written decisions). Additive only; a code keeps one name.
const known = new Map<Department, DepartmentInfo>(CITY_DEPARTMENTS.list().map((d) => [d.code, d]));

/** Called by the catalogue loader with the departments it loaded. */
export function registerDepartments(departments: readonly DepartmentInfo[]): void {
  for (const d of departments) known.set(d.code, d);
}

/** Whether a loaded city file (or the committed one) lists the department. */
export function isKnownDepartment(code: string): boolean {
  return known.has(code);
}

/** The name of a department: from the loaded city files, else its code in both languages. */
export function departmentName(code: Department): Bilingual {
  return known.get(code)?.name ?? { zh: code, en: code };
}
