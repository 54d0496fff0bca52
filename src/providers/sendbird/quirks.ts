/** The sendbird-calls release every reach into its internals (and every declaration about it) was checked against. */
export const CHECKED_SDK_VERSION = '1.10.21';
