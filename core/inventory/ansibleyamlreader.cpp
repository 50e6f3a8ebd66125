#include "ansibleyamlreader.h"

#include "ansibleinventory.h"

#include <yaml-cpp/yaml.h>

namespace rd::ansible {

namespace {

int lineOf(const YAML::Node &node)
{
    return node.Mark().line + 1;
}

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

QVariant yamlValue(const YAML::Node &node)
{
    if (node.IsScalar())
        return qs(node.Scalar());
    if (node.IsNull())
        return QString();
    if (node.IsSequence()) {
        QStringList items;
        for (const YAML::Node &item : node)
            items.append(item.IsScalar() ? qs(item.Scalar()) : QString());
        return items;
    }
    return QVariant();
}

// Reads the YAML inventory into the model, counting every entry it reads against MaxYamlEntries.
class YamlReader
{
public:
    Result<Model> read(const QByteArray &data)
    {
        m_model.group(AllGroup, 0);
        try {
            const YAML::Node root = YAML::Load(data.toStdString());
            if (root.IsNull())
                return m_model;
            if (!root.IsMap())
                return std::unexpected(
                    lineError(lineOf(root), AnsibleInventory::tr("the inventory must be a mapping "
                                                                 "of groups, usually starting with "
                                                                 "\"all:\".")));
            for (const auto &entry : root) {
                if (auto parsed = group(qs(entry.first.as<std::string>()), entry.second, 0); !parsed)
                    return std::unexpected(parsed.error());
            }
        } catch (const YAML::Exception &e) {
            return std::unexpected(
                lineError(e.mark.line + 1, AnsibleInventory::tr("the YAML is not valid: %1").arg(qs(e.msg))));
        }
        return m_model;
    }

private:
    Result<> spend(const YAML::Node &node, qsizetype entries)
    {
        m_entries += entries;
        if (m_entries > MaxYamlEntries)
            return std::unexpected(
                lineError(lineOf(node),
                          AnsibleInventory::tr("the inventory expands to more than "
                                               "%1 entries.")
                              .arg(MaxYamlEntries),
                          AnsibleInventory::tr("YAML aliases (*name) that repeat whole groups "
                                               "can do this; write the groups out instead.")));
        if (auto error = m_model.overLimits(lineOf(node)))
            return std::unexpected(*error);
        return {};
    }

    Result<Vars> vars(const YAML::Node &node, const QString &owner)
    {
        Vars vars;
        if (!node || node.IsNull())
            return vars;
        if (!node.IsMap())
            return std::unexpected(
                lineError(lineOf(node), AnsibleInventory::tr("the variables of %1 must be a "
                                                             "mapping.")
                                            .arg(owner)));
        if (auto spent = spend(node, qsizetype(node.size())); !spent)
            return std::unexpected(spent.error());
        for (const auto &entry : node)
            vars.insert(qs(entry.first.as<std::string>()), yamlValue(entry.second));
        return vars;
    }

    Result<> hosts(const QString &name, const YAML::Node &value)
    {
        if (value.IsNull())
            return {};
        if (!value.IsMap())
            return std::unexpected(
                lineError(lineOf(value), AnsibleInventory::tr("the hosts of \"%1\" must be a "
                                                              "mapping.")
                                             .arg(name)));
        for (const auto &hostEntry : value) {
            const QString pattern = qs(hostEntry.first.as<std::string>());
            auto hostVars = vars(hostEntry.second, pattern);
            if (!hostVars)
                return std::unexpected(hostVars.error());
            auto names = expandRanges(pattern, lineOf(hostEntry.first));
            if (!names)
                return std::unexpected(names.error());
            for (const QString &hostName : *names) {
                m_model.host(hostName, lineOf(hostEntry.first)).vars.insert(*hostVars);
                m_model.group(name, 0).addHost(hostName);
            }
            if (auto spent = spend(hostEntry.first, names->size()); !spent)
                return spent;
        }
        return {};
    }

    Result<> group(const QString &name, const YAML::Node &node, int depth)
    {
        if (depth > MaxNesting)
            return std::unexpected(
                lineError(lineOf(node), AnsibleInventory::tr("groups are nested too deeply.")));
        m_model.group(name, lineOf(node));
        if (auto spent = spend(node, 1); !spent)
            return spent;
        if (!node || node.IsNull())
            return {};
        if (!node.IsMap())
            return std::unexpected(
                lineError(lineOf(node), AnsibleInventory::tr("the group \"%1\" must be a mapping "
                                                             "with hosts, vars or children.")
                                            .arg(name)));
        for (const auto &entry : node) {
            const QString key = qs(entry.first.as<std::string>());
            const YAML::Node &value = entry.second;
            if (key == u"hosts") {
                if (auto read = hosts(name, value); !read)
                    return read;
            } else if (key == u"vars") {
                auto groupVars = vars(value, name);
                if (!groupVars)
                    return std::unexpected(groupVars.error());
                m_model.group(name, 0).vars.insert(*groupVars);
            } else if (key == u"children") {
                if (auto read = children(name, value, depth); !read)
                    return read;
            } else {
                return std::unexpected(
                    lineError(lineOf(entry.first), AnsibleInventory::tr("\"%1\" is not hosts, "
                                                                        "vars or children.")
                                                       .arg(key)));
            }
        }
        return {};
    }

    Result<> children(const QString &name, const YAML::Node &value, int depth)
    {
        if (value.IsNull())
            return {};
        if (!value.IsMap())
            return std::unexpected(
                lineError(lineOf(value), AnsibleInventory::tr("the children of \"%1\" must be a "
                                                              "mapping.")
                                             .arg(name)));
        for (const auto &child : value) {
            const QString childName = qs(child.first.as<std::string>());
            if (auto parsed = group(childName, child.second, depth + 1); !parsed)
                return parsed;
            m_model.group(name, 0).addChild(childName);
        }
        return {};
    }

    Model m_model;
    qsizetype m_entries = 0;
};

} // namespace

Result<Model> readYaml(const QByteArray &data)
{
    return YamlReader().read(data);
}

} // namespace rd::ansible
