import { defineNode, field } from '../../sdk.js';

const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** The server's scheduler reads these fields and starts runs; run() hands on what it passed. */
export const scheduleTrigger = defineNode({
  type: 'schedule_trigger',
  name: 'Schedule Trigger',
  description: 'Starts the workflow on a schedule: every N minutes, daily, weekly, or by cron expression.',
  category: 'trigger',
  replayable: true,
  kind: 'trigger',
  fields: {
    schedule_type: field.select(['interval', 'daily', 'weekly', 'cron'], { default: 'interval', required: true }),
    interval_minutes: field.number({ default: 60, min: 1, description: 'run every N minutes (interval)', show_if: { schedule_type: ['interval'] } }),
    time: field.string({ default: '09:00', placeholder: '09:00', description: 'time of day HH:MM (daily, weekly)', show_if: { schedule_type: ['daily', 'weekly'] } }),
    day_of_week: field.select(weekdays, { default: 'monday', show_if: { schedule_type: ['weekly'] } }),
    cron: field.string({ placeholder: '0 9 * * *', description: 'cron expression, optionally with a leading seconds field', show_if: { schedule_type: ['cron'] } }),
    timezone: field.string({ default: 'UTC', placeholder: 'Europe/Berlin' }),
    allow_overlap: field.boolean({ default: false, description: 'start a run even when the previous one is still going' }),
    catch_up: field.boolean({ default: false, description: 'run once at start when a run was missed while the server was down' }),
  },
  run: ({ trigger }) => trigger,
});
