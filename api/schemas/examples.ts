/**
 * Complete, working example submissions built from the demo seed: served by GET /services/:code (`example`), carried
 * in the OpenAPI document, and used by the tests and the benchmark, so all of them send what a portal would send.
 */
import { formatShanghai, shanghaiDate } from '../../domain/calendar';
import { DEMO } from '../../infra/db/seed';

const DAY = 86_400_000;

export function schoolBusExample() {
  return {
    serviceCode: 'SCHOOLBUS',
    channel: 'online' as const,
    scenarioAnswers: { carrier: 'transport-company', 'vehicle-registered': 'yes' },
    materials: [
      { material: 'application-form', reference: 'upload:sb-form-1' },
      { material: 'route-plan', reference: 'upload:sb-route-1' },
      { material: 'safety-rules', reference: 'upload:sb-rules-1' },
      { material: 'insurance', reference: 'upload:sb-ins-1' },
      { material: 'driver-licence', reference: 'upload:sb-dl-1' },
      { material: 'carrier-contract', reference: 'upload:sb-contract-1' },
    ],
    form: {
      applicant: { creditCode: DEMO.school.creditCode, name: DEMO.school.name },
      carrier: { creditCode: DEMO.schoolBusCarrier.creditCode, name: DEMO.schoolBusCarrier.name },
      vehicle: { plate: DEMO.vehicles.schoolBus, totalMassKg: 12000, axles: 2, seats: 41 },
      driver: { idCard: DEMO.drivers.schoolBus.idCard, name: DEMO.drivers.schoolBus.name },
      route: { name: '实验小学-北湖新区线', stops: ['实验小学', '北湖公园', '太白湖小区'], departureTimes: ['07:10', '16:40'] },
      liabilityInsuranceValidUntil: '2030-12-31',
    },
  };
}

export function freightCompanyExample() {
  return {
    serviceCode: 'FREIGHTCO',
    channel: 'online' as const,
    scenarioAnswers: { cargo: 'general' },
    materials: [
      { material: 'application-form', reference: 'upload:fc-form-1' },
      { material: 'safety-system', reference: 'upload:fc-safety-1' },
    ],
    form: {
      applicant: {
        creditCode: DEMO.newCompany.creditCode,
        name: DEMO.newCompany.name,
        legalRepresentative: '钱七',
        address: '山东省济宁市任城区示例路1号',
        contactPhone: '13800000000',
      },
      safetyManagementSystem: true,
      vehicles: [
        { plate: DEMO.vehicles.freight1, totalMassKg: 25000, axles: 3 },
        { plate: DEMO.vehicles.freight2, totalMassKg: 18000, axles: 2 },
      ],
      drivers: [{ idCard: DEMO.drivers.freight.idCard, name: DEMO.drivers.freight.name }],
    },
  };
}

/** A category I load that passes all 21 checks (fast-tracked). Travel is next week, at night. */
export function oversizeCargoExample(nowMs = Date.now()) {
  const day = shanghaiDate(nowMs + 7 * DAY);
  const next = shanghaiDate(nowMs + 8 * DAY);
  return {
    serviceCode: 'OVERSIZE',
    channel: 'online' as const,
    scenarioAnswers: { trip: 'single' },
    materials: [
      { material: 'application-form', reference: 'upload:os-form-1' },
      { material: 'operating-permit', reference: 'upload:os-permit-1' },
      { material: 'vehicle-certificate', reference: 'upload:os-vc-1' },
    ],
    form: {
      applicant: { creditCode: DEMO.heavyCarrier.creditCode, name: DEMO.heavyCarrier.name },
      cargo: { name: '电力变压器', divisible: false, lengthMm: 12000, widthMm: 2900, heightMm: 3000, massKg: 30000 },
      vehicle: {
        plate: DEMO.vehicles.heavyTractor,
        axles: 6,
        configuration: 'combination' as const,
        driveAxles: 2,
        curbMassKg: 15000,
        wheelbaseMm: 3600,
        tyres: 22,
        flatbed: true,
      },
      loaded: { lengthMm: 17500, widthMm: 2900, heightMm: 4100, grossMassKg: 45000, axleLoadsKg: [6000, 7800, 7800, 7800, 7800, 7800] },
      route: {
        originCity: '济宁市任城区',
        destinationCity: '济宁市兖州区',
        segmentIds: ['DEMO-R-001', 'DEMO-B-001', 'DEMO-T-001'],
        travelFrom: formatShanghai(Date.parse(`${day}T22:00:00+08:00`)),
        travelTo: formatShanghai(Date.parse(`${next}T05:00:00+08:00`)),
        tripKind: 'single' as const,
      },
      driverIdCard: DEMO.drivers.heavy.idCard,
      escortStaff: [] as string[],
      documents: { escortPlan: false, outlineDrawing: false },
    },
  };
}

export const EXAMPLES: Record<string, (nowMs?: number) => ReturnType<typeof schoolBusExample> | ReturnType<typeof freightCompanyExample> | ReturnType<typeof oversizeCargoExample>> = {
  SCHOOLBUS: schoolBusExample,
  FREIGHTCO: freightCompanyExample,
  OVERSIZE: oversizeCargoExample,
};
