// FC_SEED=<n> runs every fast-check property of the run from that seed (scripts/property-seeds.sh sets
// a new random one per round and prints it, so a failing round is replayed with the same FC_SEED).
if (process.env.FC_SEED) require("fast-check").configureGlobal({ seed: Number(process.env.FC_SEED) });
