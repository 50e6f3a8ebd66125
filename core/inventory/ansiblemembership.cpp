#include "ansiblemembership.h"

#include "ansibleinventory.h"

#include <algorithm>

namespace rd::ansible {

Result<Membership> Membership::resolve(const Model &model)
{
    Membership membership;
    for (const GroupEntry &group : model.groups) {
        if (auto resolved = membership.collect(model, group.name, 0); !resolved)
            return std::unexpected(resolved.error());
    }
    return membership;
}

Result<> Membership::collect(const Model &model, const QString &name, int depth)
{
    // A group reached again while it is being resolved is a cycle; Ansible warns and goes on too.
    if (m_members.contains(name) || m_visiting.contains(name) || !model.groupIndex.contains(name))
        return {};
    const GroupEntry &group = model.groups[model.groupIndex.value(name)];
    if (depth > MaxNesting)
        return std::unexpected(lineError(group.line, AnsibleInventory::tr("groups are nested too deeply.")));
    m_visiting.insert(name);
    QStringList members = group.hosts;
    QSet<QString> seen = group.hostSet;
    for (const QString &child : group.children) {
        if (auto resolved = collect(model, child, depth + 1); !resolved)
            return resolved;
        for (const QString &host : m_members.value(child)) {
            if (!seen.contains(host)) {
                seen.insert(host);
                members.append(host);
            }
        }
    }
    m_visiting.remove(name);
    m_count += members.size();
    if (m_count > MaxMemberships)
        return std::unexpected(lineError(group.line,
                                         AnsibleInventory::tr("the groups hold more than %1 hosts "
                                                              "in all, counting each group a host "
                                                              "is in.")
                                             .arg(MaxMemberships),
                                         AnsibleInventory::tr("Split the inventory and import the parts one "
                                                              "after another.")));
    for (const QString &host : std::as_const(members))
        m_groupsOf[host].insert(name);
    m_members.insert(name, members);
    return {};
}

QHash<QString, Vars> Membership::hostVars(const Model &model) const
{
    QHash<QString, int> depth{{AllGroup, 0}};
    QStringList queue{AllGroup};
    for (qsizetype i = 0; i < queue.size(); ++i) {
        const GroupEntry &group = model.groups[model.groupIndex.value(queue[i])];
        for (const QString &child : group.children) {
            if (!depth.contains(child)) {
                depth.insert(child, depth.value(queue[i]) + 1);
                queue.append(child);
            }
        }
    }
    QList<const GroupEntry *> ordered;
    for (const GroupEntry &group : model.groups)
        ordered.append(&group);
    std::stable_sort(ordered.begin(), ordered.end(), [&](const GroupEntry *a, const GroupEntry *b) {
        return std::pair(depth.value(a->name, 1), a->name) < std::pair(depth.value(b->name, 1), b->name);
    });
    QHash<QString, Vars> result;
    for (const HostEntry &host : model.hosts)
        result.insert(host.name, model.groups[model.groupIndex.value(AllGroup)].vars);
    for (const GroupEntry *group : ordered) {
        if (group->name == AllGroup)
            continue;
        for (const QString &host : members(group->name))
            result[host].insert(group->vars);
    }
    for (const HostEntry &host : model.hosts)
        result[host.name].insert(host.vars);
    return result;
}

} // namespace rd::ansible
