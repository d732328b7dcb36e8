import type { FastifyInstance } from 'fastify';

/** Serves the built web dashboard at `/` (filled in by the dashboard work; a no-op until then). */
export async function dashboardPlugin(_app: FastifyInstance): Promise<void> {}
