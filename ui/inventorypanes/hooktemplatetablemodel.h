#pragma once

#include "inventorypanes/entitytablemodel.h"
#include "inventory/hooktemplate.h"

namespace rd {

class HookTemplateTableModel : public EntityTableModel
{
    Q_OBJECT

public:
    using EntityTableModel::EntityTableModel;

    static QString stageLabel(HookStage stage);

    void setHooks(const QList<HookTemplate> &hooks);
    const HookTemplate &hookAt(int row) const { return m_hooks.at(row); }
    qint64 idAt(int row) const override { return m_hooks.at(row).id; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<HookTemplate> m_hooks;
};

} // namespace rd
