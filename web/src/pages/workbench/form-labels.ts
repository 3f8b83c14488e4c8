/**
 * Labels for the fields of the submitted forms (api/schemas/forms.ts), so a reviewer reads 统一社会信用代码 rather
 * than `creditCode`. A key not listed is shown as itself, split into words: a new form field never breaks the page.
 */
import type { Lang } from '../../i18n';

const LABELS: Record<string, [zh: string, en: string]> = {
  applicant: ['申请人', 'Applicant'],
  creditCode: ['统一社会信用代码', 'Unified social credit code'],
  name: ['名称', 'Name'],
  carrier: ['承运单位', 'Carrier'],
  vehicle: ['车辆', 'Vehicle'],
  vehicles: ['车辆', 'Vehicles'],
  plate: ['号牌号码', 'Plate'],
  totalMassKg: ['总质量（千克）', 'Total mass (kg)'],
  axles: ['轴数', 'Axles'],
  seats: ['核定载客人数', 'Seats'],
  driver: ['驾驶人', 'Driver'],
  drivers: ['驾驶人员', 'Drivers'],
  idCard: ['公民身份号码', 'ID number'],
  route: ['线路', 'Route'],
  stops: ['停靠站点', 'Stops'],
  departureTimes: ['发车时间', 'Departure times'],
  liabilityInsuranceValidUntil: ['承运人责任险有效期至', 'Liability insurance valid until'],
  legalRepresentative: ['法定代表人', 'Legal representative'],
  address: ['住所', 'Address'],
  contactPhone: ['联系电话', 'Contact phone'],
  safetyManagementSystem: ['已建立安全生产管理制度', 'Safety management system in place'],
  cargo: ['货物', 'Cargo'],
  divisible: ['可解体', 'Divisible'],
  lengthMm: ['长度（毫米）', 'Length (mm)'],
  widthMm: ['宽度（毫米）', 'Width (mm)'],
  heightMm: ['高度（毫米）', 'Height (mm)'],
  massKg: ['质量（千克）', 'Mass (kg)'],
  configuration: ['车辆类型', 'Configuration'],
  driveAxles: ['驱动轴数', 'Drive axles'],
  curbMassKg: ['整备质量（千克）', 'Curb mass (kg)'],
  wheelbaseMm: ['轴距（毫米）', 'Wheelbase (mm)'],
  tyres: ['轮胎数', 'Tyres'],
  flatbed: ['液压平板车', 'Hydraulic flatbed'],
  loaded: ['装载后车货', 'Loaded vehicle'],
  grossMassKg: ['车货总质量（千克）', 'Gross mass (kg)'],
  axleLoadsKg: ['各轴轴荷（千克）', 'Axle loads (kg)'],
  originCity: ['起运地', 'Origin'],
  destinationCity: ['目的地', 'Destination'],
  segmentIds: ['途经路段', 'Road segments'],
  travelFrom: ['通行起始日期', 'Travel from'],
  travelTo: ['通行截止日期', 'Travel to'],
  tripKind: ['通行方式', 'Trip kind'],
  driverIdCard: ['驾驶人公民身份号码', "Driver's ID number"],
  escortStaff: ['护送人员', 'Escort staff'],
  documents: ['随附材料', 'Documents'],
  escortPlan: ['护送方案', 'Escort plan'],
  outlineDrawing: ['车货外廓尺寸图', 'Outline drawing'],
  personalDataPurgedAt: ['个人信息清除时间', 'Personal data purged at'],
};

const VALUES: Record<string, [zh: string, en: string]> = {
  truck: ['单车', 'Truck'],
  combination: ['汽车列车', 'Combination'],
  single: ['单次通行', 'Single trip'],
  repeated: ['多次通行', 'Repeated trips'],
};

const ORDER = Object.keys(LABELS);
/** Known fields in a reading order (applicant first), unknown ones after them: stored JSON does not keep key order. */
export function byFieldOrder(a: string, b: string): number {
  const ia = ORDER.indexOf(a);
  const ib = ORDER.indexOf(b);
  return (ia < 0 ? ORDER.length : ia) - (ib < 0 ? ORDER.length : ib);
}

export function fieldLabel(key: string, lang: Lang): string {
  const known = LABELS[key];
  if (known) return lang === 'zh' ? known[0] : known[1];
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function fieldValue(value: string, lang: Lang): string {
  const known = VALUES[value];
  return known ? (lang === 'zh' ? known[0] : known[1]) : value;
}
