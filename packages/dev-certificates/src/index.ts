export {
  type CertificateAndKey,
  createDevCertificates,
  type DevCertificates,
} from './createDevCertificates.js';
