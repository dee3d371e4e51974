/**
 * Load on each agent's task queue as Temporal sees it: the approximate backlog of steps waiting
 * for a slot and the workers polling it. Read from the task queue description (not kept
 * anywhere else), by the gateway for the API and metrics and by the routing activity.
 */
// Default import: the package is CommonJS, whose named exports native ESM cannot see.
import proto from '@temporalio/proto';
import { agentTaskQueue } from '@orchestrator/workflows/task-queues';

export interface QueueLoad {
  backlog: number;
  pollers: number;
}

/** The part of a Temporal connection this needs (Client and NativeConnection both have it). */
export interface TaskQueueDescriber {
  workflowService: {
    describeTaskQueue(
      request: proto.temporal.api.workflowservice.v1.IDescribeTaskQueueRequest,
    ): Promise<proto.temporal.api.workflowservice.v1.IDescribeTaskQueueResponse>;
  };
}

export type AgentQueueLoad = (agents: string[]) => Promise<Map<string, QueueLoad>>;

export function agentQueueLoad(connection: TaskQueueDescriber, namespace: string): AgentQueueLoad {
  return async (agents) => {
    const entries = await Promise.all(
      agents.map(async (agent) => {
        const response = await connection.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: agentTaskQueue(agent) },
          taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
          reportStats: true,
        });
        const load: QueueLoad = {
          backlog: Number(response.stats?.approximateBacklogCount ?? 0),
          pollers: response.pollers?.length ?? 0,
        };
        return [agent, load] as const;
      }),
    );
    return new Map(entries);
  };
}
