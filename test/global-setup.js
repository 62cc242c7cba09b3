// Installs the pinned validators and linters before the suite (reused when already installed).
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
  execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'install-tools.sh')], { stdio: 'inherit' });
};
