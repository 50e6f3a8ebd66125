#pragma once

#include <QCoreApplication>
#include <QGraphicsItem>

namespace rd {

// The key to the pipeline graph's colours: one swatch per node state, and the canary badge.
class PipelineLegendItem : public QGraphicsItem
{
    Q_DECLARE_TR_FUNCTIONS(PipelineLegendItem)

public:
    enum { Type = UserType + 3 };

    explicit PipelineLegendItem(QGraphicsItem *parent = nullptr);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QFont legendFont() const;
};

} // namespace rd
