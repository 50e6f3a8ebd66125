#pragma once

#include "ansiblemodel.h"

namespace rd::ansible {

// Which hosts each group holds, its children's included (in order, each once), and the other way
// round; worked out once per import, with each group resolved once however often it is reached.
class Membership
{
public:
    static Result<Membership> resolve(const Model &model);

    QStringList members(const QString &group) const { return m_members.value(group); }
    bool holds(const QString &group, const QString &host) const
    {
        return m_groupsOf.value(host).contains(group);
    }
    // Each host's variables by Ansible's precedence: all, then groups from the outermost in, then
    // the host's own.
    QHash<QString, Vars> hostVars(const Model &model) const;

private:
    Result<> collect(const Model &model, const QString &name, int depth);

    QHash<QString, QStringList> m_members;
    QHash<QString, QSet<QString>> m_groupsOf;
    QSet<QString> m_visiting;
    qsizetype m_count = 0;
};

} // namespace rd::ansible
