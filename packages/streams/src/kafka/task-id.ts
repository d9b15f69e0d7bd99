// A task id names one sub-topology and one partition: `<subtopologyId>_<partition>`, as in
// Kafka Streams. Tasks are the unit of assignment, of state and of changelog partitions.

export interface TaskId {
  readonly subtopology: number
  readonly partition: number
}

export function formatTaskId(task: TaskId): string {
  return `${task.subtopology}_${task.partition}`
}

export function parseTaskId(text: string): TaskId {
  const match = /^(\d+)_(\d+)$/.exec(text)
  if (match === null) throw new RangeError(`'${text}' is not a task id (<subtopology>_<partition>)`)
  return { subtopology: Number(match[1]), partition: Number(match[2]) }
}

/** Orders task ids by sub-topology, then partition. */
export function compareTaskIds(left: string, right: string): number {
  const a = parseTaskId(left)
  const b = parseTaskId(right)
  return a.subtopology - b.subtopology || a.partition - b.partition
}
