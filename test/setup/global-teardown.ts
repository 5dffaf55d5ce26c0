/** After the run: stops what the global setup started. */
import { stopSharedServices } from "./global-setup";

export default stopSharedServices;
