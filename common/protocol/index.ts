export * from './version';
export * from './limits';
export * from './closeCodes';
export * from './errorCodes';
export * from './dataFrame';
export * from './messages';
export * from './controlCodec';
export * from './subprotocol';
