#include "keytablemodel.h"

namespace rd {

QString KeyTableModel::kindLabel(KeyKind kind)
{
    switch (kind) {
    case KeyKind::Stored:
        return tr("Stored private key");
    case KeyKind::File:
        return tr("Key file");
    case KeyKind::Agent:
        return tr("ssh-agent");
    }
    return {};
}

void KeyTableModel::setKeys(const QList<SshKey> &keys)
{
    beginResetModel();
    m_keys = keys;
    endResetModel();
}

int KeyTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_keys.size());
}

int KeyTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 4;
}

QVariant KeyTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || role != Qt::DisplayRole)
        return {};
    const SshKey &key = m_keys.at(index.row());
    switch (index.column()) {
    case 0:
        return key.name;
    case 1:
        return kindLabel(key.kind);
    case 2:
        return key.username;
    case 3:
        return key.fingerprint;
    }
    return {};
}

QVariant KeyTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case 0:
        return tr("Name");
    case 1:
        return tr("Kind");
    case 2:
        return tr("User");
    case 3:
        return tr("Fingerprint");
    }
    return {};
}

} // namespace rd
