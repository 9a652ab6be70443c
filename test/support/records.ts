import type { RequirementRecord } from '../../src/modules/compliance/compliance.repo';

/**
 * A requirement as the compliance repo returns it, for pure-logic tests: for all employees, first
 * deadline 31.12.2023, renewed every 24 months in cycles, 12 months for new hires, due soon 30
 * days before. `values` names the requirement and course and changes any rule.
 */
export function requirementRecord(
  values: Pick<RequirementRecord, 'id' | 'name' | 'courseId' | 'courseSlug' | 'courseTitle'> &
    Partial<RequirementRecord>,
): RequirementRecord {
  return {
    audienceAll: true,
    audienceRoleTags: [],
    audienceUnitIds: [],
    audienceUnitPaths: [],
    firstDeadline: '2023-12-31',
    renewalMode: 'cycle',
    renewalMonths: 24,
    newHireMonths: 12,
    dueSoonDays: 30,
    active: true,
    ...values,
  };
}
