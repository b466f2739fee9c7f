export * from './reach-report';
