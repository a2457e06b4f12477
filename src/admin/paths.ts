import { paths } from '../paths.js';

/** The pages and actions under gebruikersbeheer (paths.admin); e-mails link to `request`. */
export const adminPaths = {
  overview: paths.admin,
  request: (id: number | string) => `${paths.admin}/aanvragen/${id}`,
  grantRequest: (id: number | string) => `${paths.admin}/aanvragen/${id}/toekennen`,
  refuseRequest: (id: number | string) => `${paths.admin}/aanvragen/${id}/weigeren`,
  newUser: `${paths.admin}/gebruikers/nieuw`,
  users: `${paths.admin}/gebruikers`,
  user: (personId: number | string) => `${paths.admin}/gebruikers/${personId}`,
  grantRight: (personId: number | string) => `${paths.admin}/gebruikers/${personId}/recht`,
  revokeRight: (rightId: number | string) => `${paths.admin}/rechten/${rightId}/intrekken`,
  auditLog: `${paths.admin}/logboek`,
} as const;
