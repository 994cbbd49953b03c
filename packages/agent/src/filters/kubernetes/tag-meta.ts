// Pod, namespace, container and container id from a record's tag, as Fluent Bit's kubernetes filter
// reads them: strip Kube_Tag_Prefix, then match the kubelet's log file name
// `<pod>_<namespace>_<container>-<64 hex id>.log` (or a Regex_Parser's named groups).

export interface TagMeta {
  pod_name: string
  namespace_name: string
  container_name?: string
  docker_id?: string
}

/** Fluent Bit's default (kube_regex.h): the file name kubelet gives each container's log symlink. */
export const DEFAULT_TAG_REGEX =
  /(?<pod_name>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*)_(?<namespace_name>[^_]+)_(?<container_name>.+)-(?<docker_id>[a-z0-9]{64})\.log$/

export type TagParser = (tag: string) => TagMeta | null

export function createTagParser(prefix: string, regex: RegExp = DEFAULT_TAG_REGEX): TagParser {
  const cache = new Map<string, TagMeta | null>()
  return (tag) => {
    let hit = cache.get(tag)
    if (hit !== undefined) return hit
    const name = tag.startsWith(prefix) ? tag.slice(prefix.length) : tag
    const m = regex.exec(name)
    const g = m?.groups
    hit =
      g?.pod_name && g.namespace_name
        ? {
            pod_name: g.pod_name,
            namespace_name: g.namespace_name,
            container_name: g.container_name,
            docker_id: g.docker_id,
          }
        : null
    // Tags repeat for every batch of a file: remember a bounded number of them.
    if (cache.size > 10_000) cache.clear()
    cache.set(tag, hit)
    return hit
  }
}
