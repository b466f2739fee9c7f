// The reference e-commerce platform, synthesized by `npm run synth` into dist/.
import { App } from 'cdk8s';
import { synthesizeMain } from './lib';
import { buildReferencePlatform } from './platform';

const app = new App();
buildReferencePlatform(app);
synthesizeMain(app, { outdir: process.env.PLATFORM_OUTDIR ?? 'dist', stagingDir: process.env.CDK8S_OUTDIR });
