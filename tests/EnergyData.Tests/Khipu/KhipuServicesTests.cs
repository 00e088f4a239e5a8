using System;
using EnergyData.Khipu;
using Xunit;

namespace EnergyData.Tests.Khipu;

public sealed class KhipuServicesTests
{
    [Theory]
    [InlineData("https://api.khipu.com/", "https://api.khipu.com/v1/cl/services/enel.cl/debt-status-by-client-identifier")]
    [InlineData("https://api.khipu.com/v1/", "https://api.khipu.com/v1/cl/services/enel.cl/debt-status-by-client-identifier")]
    [InlineData("https://api.khipu.com/v1/cl/services/", "https://api.khipu.com/v1/cl/services/enel.cl/debt-status-by-client-identifier")]
    [InlineData("http://127.0.0.1:5080/khipu/", "http://127.0.0.1:5080/khipu/v1/cl/services/enel.cl/debt-status-by-client-identifier")]
    [InlineData("http://127.0.0.1:5080/khipu/v1/cl/", "http://127.0.0.1:5080/khipu/v1/cl/services/enel.cl/debt-status-by-client-identifier")]
    public void A_base_uri_that_already_holds_the_start_of_the_service_path_does_not_repeat_it(string baseUri, string expected)
    {
        Assert.Equal(expected, KhipuServices.Resolve(new Uri(baseUri), KhipuServices.EnelDebtStatus).AbsoluteUri);
    }
}
