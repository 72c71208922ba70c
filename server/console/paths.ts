/** Path of the console's home page. */
export const CONSOLE_HOME = "/core4";
/** Path of the console's jobs page. */
export const CONSOLE_JOBS = "/core4/jobs";
