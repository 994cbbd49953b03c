-- Seed 004 (/work/shared/seeds/004_3286d40aaf5c809b.txt), "ECS Enrichment Lua 스크립트", as the post
-- shows it; referenced by seed-004.yaml (the same script is a data key of seed-004-configmap.yaml).
function enrich_with_ecs_fields(tag, timestamp, record)
    -- service.name 매핑 (앱 로그 우선)
    if not record["service.name"] then
        local service_name = record["k8s_labels_app"]
                          or record["k8s_labels_app.kubernetes.io/name"]
                          or record["k8s_container_name"]
        if service_name then
            record["service.name"] = service_name
        end
    end

    -- kubernetes.* ECS 필드 매핑
    record["kubernetes.namespace"] = record["k8s_namespace_name"]
    record["kubernetes.pod.name"] = record["k8s_pod_name"]
    record["kubernetes.container.name"] = record["k8s_container_name"]

    return 1, timestamp, record
end
