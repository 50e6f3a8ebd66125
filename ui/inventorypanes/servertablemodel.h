#pragma once

#include "inventorypanes/entitytablemodel.h"
#include "inventory/server.h"

#include <QHash>

namespace rd {

class ServerTableModel : public EntityTableModel
{
    Q_OBJECT

public:
    using EntityTableModel::EntityTableModel;

    void setServers(const QList<Server> &servers, const QHash<qint64, QString> &keyNames);
    const Server &serverAt(int row) const { return m_servers.at(row); }
    qint64 idAt(int row) const override { return m_servers.at(row).id; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<Server> m_servers;
    QHash<qint64, QString> m_keyNames;
};

} // namespace rd
