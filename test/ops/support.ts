export { ADMIN_USER, ADMIN_PASSWORD, adminToken } from '../support/users.ts';
export { eventually } from '../support/eventually.ts';
