/** Names of the signed certificate fields (data/services/*.json `certificates[].fields`), for the print and verify pages. */
import type { Lang } from '../../i18n';

const LABELS: Record<string, { zh: string; en: string }> = {
  'applicant.name': { zh: '申请人', en: 'Applicant' },
  'applicant.address': { zh: '地址', en: 'Address' },
  'applicant.legalRepresentative': { zh: '法定代表人', en: 'Legal representative' },
  'carrier.name': { zh: '校车服务提供者', en: 'Carrier' },
  'driver.name': { zh: '驾驶人', en: 'Driver' },
  'vehicle.plate': { zh: '号牌号码', en: 'Plate' },
  'vehicle.seats': { zh: '核载人数', en: 'Seats' },
  'vehicle.totalMassKg': { zh: '总质量（千克）', en: 'Total mass (kg)' },
  'vehicle.axles': { zh: '轴数', en: 'Axles' },
  'cargo.name': { zh: '货物名称', en: 'Cargo' },
  'loaded.lengthMm': { zh: '装载后长度（毫米）', en: 'Loaded length (mm)' },
  'loaded.widthMm': { zh: '装载后宽度（毫米）', en: 'Loaded width (mm)' },
  'loaded.heightMm': { zh: '装载后高度（毫米）', en: 'Loaded height (mm)' },
  'loaded.grossMassKg': { zh: '车货总质量（千克）', en: 'Gross mass (kg)' },
  'route.name': { zh: '行驶线路', en: 'Route' },
  'route.originCity': { zh: '起运地', en: 'From' },
  'route.destinationCity': { zh: '目的地', en: 'To' },
  'route.segmentIds': { zh: '通行路段', en: 'Road segments' },
  'route.travelFrom': { zh: '通行起始日期', en: 'Travel from' },
  'route.travelTo': { zh: '通行截止日期', en: 'Travel until' },
  'route.stops': { zh: '停靠站点', en: 'Stops' },
  'route.departureTimes': { zh: '发车时间', en: 'Departure times' },
};

export function fieldLabel(key: string, lang: Lang): string {
  return LABELS[key]?.[lang] ?? key;
}

export function fieldText(value: unknown, lang: Lang): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.map((v) => String(v)).join(lang === 'zh' ? '、' : ', ');
  if (typeof value === 'boolean') return value ? (lang === 'zh' ? '是' : 'Yes') : lang === 'zh' ? '否' : 'No';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
