#pragma once

#include "inventorypanes/entitytablemodel.h"
#include "inventory/sshkey.h"

namespace rd {

class KeyTableModel : public EntityTableModel
{
    Q_OBJECT

public:
    using EntityTableModel::EntityTableModel;

    static QString kindLabel(KeyKind kind);

    void setKeys(const QList<SshKey> &keys);
    const SshKey &keyAt(int row) const { return m_keys.at(row); }
    qint64 idAt(int row) const override { return m_keys.at(row).id; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<SshKey> m_keys;
};

} // namespace rd
